"""One exercise set from frames to outputs: the set loop (``loop``: frames -> pose -> analysis ->
sinks, for replay and live alike), replay (``replay``; its output folder and staging in
``outputs``; its decoder and encoder processes in ``workers``/``worker_proc``, or threads in
``background``; its sinks in ``pipeline``), the set report (``set_report``, built by ``report``)
and the patient's words for the end of a set (``texts``)."""
