#ifndef _ELF_H
#define _ELF_H
#include <stdint.h>
#include <bits/auxv.h>

typedef struct {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;
typedef struct {
    int64_t d_tag;
    uint64_t d_val;
} Elf64_Dyn;
typedef struct {
    uint64_t r_offset, r_info;
    int64_t r_addend;
} Elf64_Rela;
#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_TLS 7
#define DT_NULL 0
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define R_X86_64_RELATIVE 8
#define ELF64_R_TYPE(i) ((i) & 0xffffffff)
#endif
