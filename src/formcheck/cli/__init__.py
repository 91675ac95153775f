"""formcheck's command line, the top layer: one module per subcommand (``replay``, ``live`` with
``live_program`` and ``live_sets``, ``history``, ``tune``, ``exercises``), what they share
(``common``) and the entry point (``main``). Nothing else imports this package."""
