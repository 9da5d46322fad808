"""The team leads' figures: facts written on events (:mod:`inbox.metrics.facts`),
the dashboard's queries over them (:mod:`inbox.metrics.figures`) and its
server-side SVG charts (:mod:`inbox.metrics.charts`)."""
