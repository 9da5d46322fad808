"""The email channel: IMAP intake, MIME parsing, SMTP replies (I/O only)."""
