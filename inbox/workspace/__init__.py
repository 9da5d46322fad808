"""The representatives' workspace, as functions the web pages, the API and
the CLI share: the queue (:mod:`.queue`)."""
