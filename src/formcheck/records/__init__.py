"""What is kept across sets: the history database (``history``), the progression of a program's
targets from it (``progression``), a set in a few words (``rows``) and the physiotherapist's HTML
report (``html_report``: a template filled in by ``report_model``, with ``day_chart``,
``rep_review`` and the words of ``report_texts``)."""
