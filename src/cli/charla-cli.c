/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "charla.h"
int main (void) { return 0; }
