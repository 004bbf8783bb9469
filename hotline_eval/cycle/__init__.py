"""The evaluation's procedure around the data: plan, timeline, fieldwork, appeals (§5.2.3, §7, §8.2).

- schedule: the milestones the plan publishes and the appeals obey;
- plan: what the evaluation plan (评价方案) says, from the definition alone;
- fieldwork/: review samples and forms (§7.2), expert score sheets (§7.3);
- appeals: the appeal file, its decisions, re-scoring without the records appealed against (§8.2).
"""
