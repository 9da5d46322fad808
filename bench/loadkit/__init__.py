"""The pieces of bench/load.py: the system under test (:mod:`.stack`), the
traffic (:mod:`.traffic`, :mod:`.reps`) and what is measured (:mod:`.measure`,
:mod:`.cpu`, :mod:`.report`)."""
