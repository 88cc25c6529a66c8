package dev.trench.transport.internal;

/** The field names of the JSON envelopes. */
final class Fields {
    static final String TYPE = "type";
    static final String COMMAND_ID = "commandId";
    static final String EVENT_ID = "eventId";
    static final String CORRELATION_ID = "correlationId";
    static final String CAUSATION_ID = "causationId";
    static final String COMMAND_NAME = "commandName";
    static final String ATTEMPT = "attempt";
    static final String RESUME_AT = "resumeAt";
    static final String CREATED_AT = "createdAt";
    static final String DEADLINE = "deadline";
    static final String HEADERS = "headers";
    static final String PAYLOAD = "payload";

    private Fields() {
    }
}
