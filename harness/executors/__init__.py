"""Where the work of a run happens: one :class:`~harness.executors.base.Executor` protocol.

:mod:`~harness.executors.base` declares the protocol and the :class:`RunPlan`
every executor takes; :mod:`~harness.executors.local` runs the stages in this
process (scoring optionally in worker processes, :mod:`~harness.executors.pool`)
and :mod:`~harness.executors.ray_actors` runs them in Ray actors. Both use the
same steps (:mod:`~harness.executors.steps`: load, clean, timing) and
:mod:`harness.summarize` and :mod:`harness.scoring` below them, so the run folder
(:mod:`harness.run_folder`) gets the same rows wherever the work ran.
"""
