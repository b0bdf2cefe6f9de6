// PowerCut has no API to call: it is loaded with LD_PRELOAD and wraps libc's file calls.
// See powercut.c for the environment it reads and what it models.
#pragma once
