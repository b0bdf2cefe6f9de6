#!/bin/sh
# Demo route: appends one line per event to data/events.log. A real route reads the event
# body on stdin and exits 0 when it has handled it.
set -eu
log="$(dirname "$0")/../data/events.log"
bytes=$(wc -c | tr -d ' ')
echo "$(date -u +%FT%TZ) $HOOKSYNC_SOURCE $HOOKSYNC_EVENT_TYPE $HOOKSYNC_EVENT_ID attempt=$HOOKSYNC_ATTEMPT origin=$HOOKSYNC_ORIGIN bytes=$bytes" >> "$log"
