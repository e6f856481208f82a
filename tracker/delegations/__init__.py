"""Stand-ins: a director or an administrator names someone to act in their place for a
period (SPEC, Delegation). The model is here; who may do what during a delegation is
decided in :mod:`tracker.access`."""
