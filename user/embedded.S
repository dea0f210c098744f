/* The default rules, embedded so that mcpwatch runs with no files. */
	.section .rodata
	.global mw_default_rules
	.global mw_default_rules_len
	.balign 8
mw_default_rules:
	.incbin "deploy/rules/default.json"
	.byte 0
mw_default_rules_end:
	.balign 8
mw_default_rules_len:
	.quad mw_default_rules_end - mw_default_rules - 1
	.section .note.GNU-stack,"",@progbits
