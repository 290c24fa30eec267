"""Region inspections rated from the combined results of their PDU inspections (decision 0035).

A PDU lead exports a results bundle (results_export); the region lead takes it in
(contributions); the ratings count the contributed judgements (tallies). Headless: no Qt.
"""
