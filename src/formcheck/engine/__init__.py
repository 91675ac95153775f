"""From poses to a result per frame: the ``Analyzer`` (``analyzer``) counts repetitions
(``reps``, ``counting``, ``counter``: a hysteresis state machine, ``assembly``), times holds
(``holds``), waits for the start position (``settle``), checks form (``form``, ``rules``) and picks
one cue (``cues``), on smoothed signals (``readings``, ``filters``) from the camera view it sees
(``viewpoint``). It knows only the core types, the exercise files and the body signals: no
video, model, drawing or files."""
