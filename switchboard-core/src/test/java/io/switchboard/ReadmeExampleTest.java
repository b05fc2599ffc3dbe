package io.switchboard;

import io.switchboard.jobs.JobKind;
import io.switchboard.test.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's example, verbatim between the markers, so the README cannot drift from code that compiles and runs. */
class ReadmeExampleTest {
    @RegisterExtension
    static final PostgresDatabase db = PostgresDatabase.shared();

    record Mailer(List<String> sent, CountDownLatch latch) {
        void send(String to, String subject) {
            sent.add(subject + " -> " + to);
            latch.countDown();
        }
    }

    // README example begins
    record SendEmail(String to, String subject) {}
    static final JobKind<SendEmail> SEND_EMAIL = JobKind.of("send-email", SendEmail.class);

    void example(DataSource dataSource, Mailer mailer) throws Exception {
        try (Switchboard switchboard = Switchboard.builder(dataSource)        // installs its schema
                .handler(SEND_EMAIL, (email, ctx) -> mailer.send(email.to(), email.subject()))
                .build()
                .start()) {                                                  // workers run until close()
            switchboard.jobs().enqueue(SEND_EMAIL, new SendEmail("ada@example.com", "Welcome"));
    // README example ends
            assertThat(mailer.latch().await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void readmeExampleSendsTheEmail() throws Exception {
        Mailer mailer = new Mailer(new CopyOnWriteArrayList<>(), new CountDownLatch(1));
        example(db.dataSource(), mailer);
        assertThat(mailer.sent()).containsExactly("Welcome -> ada@example.com");
    }
}
