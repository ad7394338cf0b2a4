"""Real-time updates: a Kafka feed of offer and task events fanned out to subscriptions."""
