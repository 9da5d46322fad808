"""Casework around claims and account issues, on the conversation side: who
acts (:mod:`.actors`), what the customer is told and on which channel
(:mod:`.notices`), asking for missing information (:mod:`.info_requests`),
deciding a claim (:mod:`.decisions`), escalations to supervisors
(:mod:`.escalations`) and account issues (:mod:`.account_issues`).

The rules themselves are pure and live in ``claims/`` (coverage, the state
machines); these functions apply them inside the caller's transaction (they
only flush) and return the replies they queued, which the caller sends after
commit (:func:`inbox.jobs.replies.send_after_commit`).
"""
