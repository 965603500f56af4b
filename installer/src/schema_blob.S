/* schema_blob.S: answerfiles/answerfile.rng, embedded so that --check works
 * anywhere without a schema file. XH_SCHEMA_FILE is set by the Makefile. */
	.section .rodata
	.global xh_schema_start
	.global xh_schema_size
	.type xh_schema_start, @object
xh_schema_start:
	.incbin XH_SCHEMA_FILE
xh_schema_end:
	.byte 0
	.balign 8
	.type xh_schema_size, @object
xh_schema_size:   /* its length in bytes (the size is computed here, not by pointer subtraction in C) */
	.quad xh_schema_end - xh_schema_start
	.section .note.GNU-stack,"",@progbits
