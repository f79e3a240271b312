#!/bin/bash
# Safe retry pattern with idempotency

MAX_RETRIES=3
IDEMPOTENCY_KEY="ord_$(uuidgen)"  # Generate ONCE before retries

for i in $(seq 1 $MAX_RETRIES); do
  RESPONSE=$(curl -s -w "\n%{http_code}" -X POST "{{host}}/api/v1/orders" \
    -H "X-API-Key: $API_KEY" \
    -H "X-API-Secret: $API_SECRET" \
    -H "Content-Type: application/json" \
    -H "Idempotency-Key: $IDEMPOTENCY_KEY" \
    -d '{"product_id": 123, "denomination": 100, "quantity": 5}')

  HTTP_CODE=$(echo "$RESPONSE" | tail -1)
  BODY=$(echo "$RESPONSE" | sed '$d')

  if [[ "$HTTP_CODE" -ge 200 && "$HTTP_CODE" -lt 300 ]]; then
    echo "Success: $BODY"
    exit 0
  elif [[ "$HTTP_CODE" -ge 400 && "$HTTP_CODE" -lt 500 ]]; then
    echo "Client error (no retry): $BODY"
    exit 1
  else
    echo "Attempt $i failed with HTTP $HTTP_CODE, retrying..."
    sleep $((2 ** i))  # Exponential backoff
  fi
done

echo "All retries exhausted"
exit 1
