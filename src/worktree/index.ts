// The worktree layer's public face: what the workspace and the CLI use.
export { WorktreeManager, type Created, type ManagerOptions, type PruneReport, type WorktreeInfo, type WorktreeSettings } from './manager.js';
export type { CreateRequest } from './create.js';
export type { CopyResult } from './copy.js';
export { status, changedSinceBase, isMerged, type WorktreeStatus } from './status.js';
export { diff, DEFAULT_DIFF_BYTES, type FileChange, type FileChangeKind, type WorktreeDiff } from './diff.js';
export { commitAll, merge, mergeCheck, type CommitResult, type MergeCheck, type MergeMode, type MergeOptions, type MergeResult } from './merge.js';
export { conflictsAcross, type SharedFile } from './conflicts.js';
export { WorktreeError, type WorktreeErrorKind } from './errors.js';
export { GitError, type GitErrorKind } from './git.js';
export { BRANCH_PREFIX, branchFor, type Worktree } from './types.js';
