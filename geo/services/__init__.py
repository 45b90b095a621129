"""diaban's use cases: the one core the pages and the CLI share.

One module per use case family — ``maps``, ``imports``, ``analysis``,
``classification``, ``exports``, ``history`` (and undo), ``demo``, ``backup``,
``users``. Each public function takes a request (a frozen dataclass whose
``check()`` validates everything up front), the acting
:class:`geo.auth.Principal`, and the database URL; it authorises, does its work in
one transaction (:func:`geo.services.base.transaction`) and returns a result
dataclass. See :mod:`geo.services.base`.
"""
