"""The core types every layer shares, and nothing else: a ``Pose`` (33 landmarks, ``Landmark``
names them), the per-frame ``FrameResult`` and the events it carries (``results``), the patient's
language (``lang``), atomic file writes (``atomic``) and SIGTERM as an interrupt (``interrupts``).
Imports nothing from formcheck."""
