/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * inventory/pin: owns the pin analysis of launch specs — is the npm
 * package, PyPI package or container image a configured command runs
 * pinned to an exact version, commit or digest (inventory_pin_state in
 * posture/inventory.h) — and what names the package or image apart from
 * its version. Which launcher and which word is the spec is read by
 * identify/launchers.h.
 */
#ifndef MCPWATCH_INVENTORY_PIN_H
#define MCPWATCH_INVENTORY_PIN_H

#include "identify/launchers.h"
#include "posture/inventory.h"

/* The package or image of spec without version, tag or digest, normalised for
 * comparison (PyPI names loosely); out holds INV_NORM_NAME bytes. */
void pin_package_identity(enum launch_kind kind, const char *spec, char *out);

#endif /* MCPWATCH_INVENTORY_PIN_H */
