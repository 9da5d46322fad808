"""Channel adapters: I/O with the outside world, producing ``Inbound`` and
consuming ``Outbound``. Nothing here touches the database."""
