"""Service levels: business-hours calendars (:mod:`.calendar`), policies
(:mod:`.policies`), clocks computed from a thread's facts (:mod:`.clock`),
policies kept in the database (:mod:`.store`), due times kept up to date on
every event (:mod:`.track`, :mod:`.claims`), and the periodic sweep that
warns, escalates and records what happened (:mod:`.sweep`)."""
