"""Twilio channel I/O: webhook signatures and parameters (``signature``,
``webhooks``), the REST API through the real SDK (``rest``). No database here."""
