# A component is imported by its name. Proton never returns the manifest: the next apply records the
# configured one (an in-place change that calls nothing).
terraform import proton_component.jobs_queue jobs-queue
