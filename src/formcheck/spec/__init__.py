"""The plain files physiotherapists edit, read strictly into frozen objects: exercises
(``exercise``: thresholds, rules, cues, instructions), patient profiles (``profile``) and
programs (``program``: order, targets, pain advice). A mistake names the file, the key and what
is allowed."""
