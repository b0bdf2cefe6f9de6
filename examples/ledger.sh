#!/bin/sh
# Demo route that fails until data/ledger-online exists, to show retries, dead letters and replay.
set -eu
cat > /dev/null
if [ ! -e "$(dirname "$0")/../data/ledger-online" ]; then
    echo "ledger is offline (touch data/ledger-online to bring it up)" >&2
    exit 75
fi
echo "$(date -u +%FT%TZ) ledger booked $HOOKSYNC_EVENT_ID" >> "$(dirname "$0")/../data/events.log"
