"""Hot-lead alerts: the outbox (`outbox.queue_alerts`, in the scoring transaction), the
message content (`payload`) and the `dispatcher.Dispatcher` that posts them to Slack."""
