"""A batch of videos replayed at once: on this machine's cores (``local``) or a Ray cluster
(``cluster``); what each video became (``outcome``) and the batch's summary (``summary``)."""
