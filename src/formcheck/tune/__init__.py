"""Threshold tuning on a recording: the analysis (``analysis``), its text (``text``) and plot (``plot``)."""
