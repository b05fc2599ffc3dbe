-- The store-at-commit statement (IdempotencyKeys.storeAndCommit) is sent with the COMMIT of the request's
-- transaction in one round trip. When the key is not stored (another request holds it or a live row stands), this
-- raises, so the COMMIT sent behind it does not run and the request's writes are rolled back instead.
CREATE FUNCTION require_idempotency_key_stored(stored boolean) RETURNS boolean
    LANGUAGE plpgsql AS $$
BEGIN
    IF stored IS NOT TRUE THEN
        RAISE EXCEPTION 'idempotency key already taken; the transaction is not committed'
            USING ERRCODE = 'SBK01';
    END IF;
    RETURN true;
END
$$;
