"""The email channel on the conversation side: IMAP sync into the ingest core,
and replies out over SMTP. The I/O itself lives in :mod:`channels.email`."""
