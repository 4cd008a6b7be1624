/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Charla core: GLib/GIO only, shared by every front end. */
#include "charla-error.h"
#include "charla-message.h"
#include "charla-node.h"
#include "charla-peer.h"
#include "charla-protocol.h"
#include "charla-scan-result.h"
#include "charla-scanner.h"
#include "charla-target.h"
