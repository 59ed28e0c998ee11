//! Frameworks and plan templates transcribed from the seeds (being written).
