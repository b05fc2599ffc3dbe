/*
 * Test-only LD_PRELOAD shim: shifts this process's wall clock (CLOCK_REALTIME, gettimeofday) by
 * SWITCHBOARD_CLOCK_SKEW_SECONDS, leaving monotonic clocks alone. Used to run a worker JVM whose clock is
 * hours off, to show that the scheduler and leases decide on database time only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long skew_seconds(void) {
    static int loaded = 0;
    static long long skew = 0;
    if (!loaded) {
        const char *value = getenv("SWITCHBOARD_CLOCK_SKEW_SECONDS");
        skew = value ? atoll(value) : 0;
        loaded = 1;
    }
    return skew;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
    static int (*real)(clockid_t, struct timespec *) = 0;
    if (!real) {
        real = (int (*)(clockid_t, struct timespec *)) dlsym(RTLD_NEXT, "clock_gettime");
    }
    int result = real(id, ts);
    if (result == 0 && ts && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
        ts->tv_sec += skew_seconds();
    }
    return result;
}

int gettimeofday(struct timeval *tv, void *tz) {
    static int (*real)(struct timeval *, void *) = 0;
    if (!real) {
        real = (int (*)(struct timeval *, void *)) dlsym(RTLD_NEXT, "gettimeofday");
    }
    int result = real(tv, tz);
    if (result == 0 && tv) {
        tv->tv_sec += skew_seconds();
    }
    return result;
}
