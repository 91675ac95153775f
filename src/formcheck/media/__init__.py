"""What comes in from outside: video files (``video``, PyAV, with their own timestamps and
rotation) and out (``video_writer``, H.264), the camera and a file played as one
(``capture``), the pose model (``estimator``: the only module that imports MediaPipe), the person
followed (``follow``) and the saved landmark track (``track``). Imports only the core types."""
