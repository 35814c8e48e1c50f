"""Manager reports (DESIGN §6, §10): satisfaction with honest statistics, SLA compliance, volume and repeat-
failure hotspots, the monthly assessment (考核) with its ranking (评比), and the dashboard's figures.

These are selectors, kept apart from feedback.selectors only for size. Every report aggregates in the
database (`values(...).annotate(Count(filter=Q(...)), Avg(...))`), so each runs in a fixed number of queries
whatever the number of orders; the statistics (Wilson interval, two-proportion z-test, weighted score, rank)
are computed in Python on the handful of aggregated rows.

Definitions, so every figure can be reproduced by hand:
- Satisfaction: the follow-ups *due* in the period (due_at in [start, end), and already due now).
  回访率 = follow-ups with an outcome (reached or refused) ÷ due; 满意率 = (满意 + 基本满意) ÷ reached.
  The previous period is the one of the same kind just before (previous month, quarter, week, or as many
  days before a custom range). A change is "significant" when the two-sided two-proportion z-test (pooled)
  gives p < 0.05. A follow-up is attributed to the crew and worker that did the completion it rates.
- SLA: orders *created* in the period, cancelled ones excluded. A deadline is decided once its milestone is
  stamped, or once it has passed while the order is not on hold (a hold pauses the clock). On time =
  milestone ≤ deadline. Hold time is excluded because resuming an order moves its unmet deadlines later by
  exactly the time on hold (workorders.actions.field_work.resume_order), so a plain comparison already excludes it.
  A rework gives the order fresh deadlines and clears its milestones: the SLA counts the latest round.
- Assessment of month M: orders *completed* in M for the time KPIs, 一次修复率, 返修率 and 六个一; the
  follow-ups due in M; complaints received in M; inspections recorded in M; rewards and penalties dated M.
  一次修复 = no order of the same room (or facility) and category created within 30 days after completion
  (cancelled ones do not count). 返修率 = completed orders that were reworks (rework_count > 0).
  有效投诉率 = valid complaints ÷ completed orders. 六个一执行率 = checklist items answered yes ÷ (5 × completed).
  Each KPI scores 0–100 (返修率 and 有效投诉率 inverted); the score is the weighted mean over the KPIs that
  have data (weights are AssessmentWeight rows) plus reward points minus penalty points. A valid complaint
  of a conduct type (ComplaintType.is_conduct) received in the month vetoes the ranking (一票否决): the crew
  or worker is ranked after everyone else. 巡检按时率 and 隐患按时整改率 (issue 16) use the definitions below over
  the rounds due in M and the hazards found in M (a worker: the rounds assigned to them, the hazards they
  rectified).
- Rounds (operations.selectors.round_conditions): the rounds due in the period, per crew and local month. On
  time = finished by the due time; late = finished after it; missed = never walked; overdue = still open past
  the due time. Rate = on time ÷ decided (the four together); a round due later is not counted yet.
- Hazards (operations.selectors.hazard_conditions): the hazards found in the period, per system, crew or
  district. Fixed = rectified or verified; on time = rectified by the due date its severity set; overdue =
  still found or rectifying past it. Rate = on time ÷ (fixed + overdue). Mean time to rectify = mean of
  rectified_at − found_at over the fixed ones.
- Outages: the incidents on during the period, per system and kind (planned, sudden): the affected homes
  stamped when planned, the hours within the period (one still on counts until now), homes × hours.
- Aging infrastructure: per building and public facility, the orders created in the period (not cancelled)
  and the hazards found in it (a hazard in a room counts for its building), ranked by the sum.
"""

from __future__ import annotations
