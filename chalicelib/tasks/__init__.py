"""Event handlers: workflow task messages (SQS) and the page publisher (DynamoDB stream)."""
