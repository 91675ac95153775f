"""The trainer's voice: what to say when (planner.py, schedule.py, phrases.py), the speech engine
(tts.py: eSpeak NG), and where it goes (player.py: the loudspeaker; timeline.py: an audio track or
file on the frames' clock), tied together per set by narrator.py."""
