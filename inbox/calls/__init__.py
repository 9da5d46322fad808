"""Calls and SMS through Twilio, the conversation side: raw webhook events
stored (:mod:`inbox.calls.events`) and filed into threads (:mod:`inbox.calls.filing`)."""
