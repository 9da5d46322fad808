"""The customer portal as a channel: what a signed-in customer submits
(text, files) checked and turned into an :class:`~channels.base.Inbound`."""
