"""The overlay's palette, when a joint counts as seen, and its own words (Danish and English)."""

from __future__ import annotations

from types import MappingProxyType

RGB = tuple[int, int, int]

# Palette (RGB): white text on dark translucent panels, teal skeleton, orange highlight
# (teal/orange stay distinct for the common colour-vision deficiencies; highlights are also thicker).
TEXT: RGB = (255, 255, 255)
TEXT_DIM: RGB = (200, 208, 216)
PANEL: RGB = (14, 18, 24)
PANEL_ALPHA = 0.66  # live panels: the camera stays visible through them
BLOCK_ALPHA = 0.82  # centred messages and the summary: text first
SKELETON_COLOUR: RGB = (64, 200, 190)
FAINT_COLOUR: RGB = (150, 160, 165)
HIGHLIGHT_COLOUR: RGB = (255, 140, 20)
OUTLINE_COLOUR: RGB = (12, 16, 20)
JOINT_COLOUR: RGB = (236, 246, 246)
BAR_BG: RGB = (70, 78, 86)
BAR_FILL: RGB = (64, 200, 190)
GAUGE_FILL: RGB = (150, 215, 240)
AMBER: RGB = (245, 185, 50)

MIN_VISIBILITY = 0.5  # below this a joint is uncertain: its segments are drawn thin and faint
HIDDEN_VISIBILITY = 0.2  # below this a segment is not drawn at all

STRINGS = MappingProxyType(
    {
        "da": MappingProxyType(
            {
                "no_person": "Jeg kan ikke se dig",
                "no_person_hint": "Sørg for, at hele kroppen kan ses",
                "positioning": "Find startstillingen",
                "paused": "Pause",
                "holds_done": "Færdige hold: {n}",
                "target_reached": "Godt gået! Målet er nået",
                "part_done": "En del af målet er nået",
                "nothing_counted": "Intet blev talt med",
                "holds_of": "{k} af {n} hold",
                "holds_of_1": "{k} af 1 hold",
                "stopped": "Øvelsen er stoppet",
                "pain_stopped": "Stoppet på grund af smerter",
                "reps": "gentagelser",
                "rep": "gentagelse",
                "partials": "{n} ufuldstændige gentagelser (ikke talt med)",
                "partial": "1 ufuldstændig gentagelse (ikke talt med)",
                "tip": "Tip til næste gang: {cue}",
                "hold_n": "Hold {i}",
                "L": "venstre",
                "R": "højre",
                "no_holds": "Ingen hold",
                "holds_reached": "{k} af {n} hold nåede målet",
                "go": "Nu!",
            }
        ),
        "en": MappingProxyType(
            {
                "no_person": "I can't see you",
                "no_person_hint": "Make sure your whole body is in view",
                "positioning": "Get into the start position",
                "paused": "Paused",
                "holds_done": "Holds done: {n}",
                "target_reached": "Well done! Target reached",
                "part_done": "Part of the target done",
                "nothing_counted": "Nothing was counted",
                "holds_of": "{k} of {n} holds",
                "holds_of_1": "{k} of 1 hold",
                "stopped": "Exercise stopped",
                "pain_stopped": "Stopped because of pain",
                "reps": "repetitions",
                "rep": "repetition",
                "partials": "{n} partial repetitions (not counted)",
                "partial": "1 partial repetition (not counted)",
                "tip": "Tip for next time: {cue}",
                "hold_n": "Hold {i}",
                "L": "left",
                "R": "right",
                "no_holds": "No holds",
                "holds_reached": "{k} of {n} holds reached the target",
                "go": "Go!",
            }
        ),
    }
)
_SIDE_ALIASES = MappingProxyType({"L": "L", "LEFT": "L", "R": "R", "RIGHT": "R"})


def side_key(side: object) -> str | None:
    """"L" or "R" for a result's or hold's side in any spelling ("left", "R"...), else None."""
    return _SIDE_ALIASES.get(str(side).upper()) if side else None
