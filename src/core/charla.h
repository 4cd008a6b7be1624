/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Charla core: GLib/GIO only, shared by every front end. */
#include "charla-command.h"
#include "charla-endpoint.h"
#include "charla-enums.h"
#include "charla-error.h"
#include "charla-line-splitter.h"
#include "charla-message.h"
#include "charla-network.h"
#include "charla-node.h"
#include "charla-peer.h"
#include "charla-scan-result.h"
#include "charla-scanner.h"
#include "charla-target-set.h"
#include "charla-text.h"
#include "charla-wire.h"
