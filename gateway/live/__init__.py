"""Real-time updates: a Kafka reader of offer and task events fanned out to subscriptions."""
