"""Domain models: tickets, decisions, cases and the policy (taxonomy + routing)."""
