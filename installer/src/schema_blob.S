/* schema_blob.S: answerfiles/answerfile.rng, embedded so that --check works
 * anywhere without a schema file. XH_SCHEMA_FILE is set by the Makefile. */
	.section .rodata
	.global xh_schema_start
	.global xh_schema_end
	.type xh_schema_start, @object
xh_schema_start:
	.incbin XH_SCHEMA_FILE
xh_schema_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
