"""One exercise set from frames to outputs: the set loop (``loop``: frames -> pose -> analysis ->
sinks, for replay and live alike), replay (``replay``, with its decoder and encoder processes in
``workers``/``worker_proc`` or threads in ``background``, and its sinks in ``pipeline``), the set
report (``report``) and the patient's words for the end of a set (``texts``)."""
