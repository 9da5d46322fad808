"""The ingest core: one ``Inbound`` in, one message filed under the right
customer, thread and claim or account issue, exactly once."""
